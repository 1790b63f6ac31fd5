import { qiTsup } from '../../tsup.base.mjs';
export default qiTsup({
  index: 'src/index.ts',
  'stand-in': 'src/testing/stand-in.ts',
  'stand-in-cli': 'src/testing/stand-in-cli.ts',
});
