import { qiTsup } from '../../tsup.base.mjs';
export default qiTsup();
