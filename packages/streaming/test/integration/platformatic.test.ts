import { describeTransportConformance } from '../conformance';

describeTransportConformance('platformatic');
