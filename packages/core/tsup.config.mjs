import { qiTsup } from '../../tsup.base.mjs';
export default qiTsup({ index: 'src/index.ts', testkit: 'src/testkit/index.ts', cli: 'src/cli/main.ts' });
