import { describeTransportConformance } from '../conformance';

describeTransportConformance('rdkafka');
