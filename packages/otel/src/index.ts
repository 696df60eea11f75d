export { ATTR as CONNEXEASE_ATTRIBUTES } from './attributes.ts';
export { type InstrumentConnexeaseOptions, instrumentConnexease, type Uninstrument } from './instrument.ts';
export { METRIC_NAMES } from './metrics.ts';
export { SPAN_NAMES } from './spans.ts';
