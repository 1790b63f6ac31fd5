import { describeTransportConformance } from '../conformance';

describeTransportConformance('kafkajs');
