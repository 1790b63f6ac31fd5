import { qiTsup } from '../../tsup.base.mjs';
export default qiTsup({ index: 'src/index.ts', cli: 'src/cli.ts' });
