import type { Result } from '../result';

/** One change `qi schema apply` would make to a destination's schema artifacts. */
export interface SchemaChange {
  /** the kind of artifact: "sql", "topic", "registry" (a plugin may add its own) */
  area: string;
  /** the artifact: a table, a topic, a registry subject */
  target: string;
  /** what applying does, e.g. `ADD COLUMN "fdv" numeric`, `register version 2` */
  action: string;
  /** false: applying would be refused (e.g. incompatible under the registry's rules): the plan fails */
  ok: boolean;
  /** why it is not ok, naming the field; or a note on an ok change */
  reason?: string;
}

/**
 * Optional capability of a plugin instance (what `create` returned): plan and
 * apply the schema artifacts generated from the DSL (SQL columns, topics,
 * registry subjects) without running a pipeline. `qi schema plan|apply` find
 * it by duck typing, so core never imports a plugin. Neither method needs the
 * instance to be initialised; both may connect, and the caller closes the
 * instance afterwards.
 */
export interface SchemaPlanner {
  /** what applying the current DSL would change; changes nothing */
  planSchema(): Promise<Result<SchemaChange[]>>;
  /** plans again and applies; when any change is not ok it applies nothing and returns the plan's error */
  applySchema(): Promise<Result<SchemaChange[]>>;
}

export function isSchemaPlanner(x: unknown): x is SchemaPlanner {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as SchemaPlanner).planSchema === 'function' &&
    typeof (x as SchemaPlanner).applySchema === 'function'
  );
}
