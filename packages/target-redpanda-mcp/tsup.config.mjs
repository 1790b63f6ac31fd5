import { qiTsup } from '../../tsup.base.mjs';

export default qiTsup({ index: 'src/index.ts', bin: 'src/bin.ts' });
