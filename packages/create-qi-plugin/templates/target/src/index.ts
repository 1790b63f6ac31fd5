import { BaseWriter, definePlugin, workflowOptions } from '@qi/core';
import { configSchema } from './config';
import { createWriterHandler } from './writer';

/** The plugin: the package's default export, found by the Qi host by package name. */
const plugin = definePlugin({
  name: '__PLUGIN_NAME__',
  kind: 'target',
  apiVersion: '__API_RANGE__',
  description: '__PLUGIN_DESCRIPTION__',
  configSchema,
  create(config, ctx) {
    return new BaseWriter({
      ...workflowOptions(config, ctx),
      handler: createWriterHandler(config, ctx.baseDir),
    });
  },
});

export default plugin;
export { configSchema, type PluginConfig } from './config';
export { KINDS } from './encoding';
export { classifyError, PluginErrors } from './errors';
