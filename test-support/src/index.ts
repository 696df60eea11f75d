export { caught, expectNoSecrets } from './errors.ts';
export { startHttpServer } from './http-server.ts';
export { ACCESS_TOKEN, type Echo, FAST_RETRY, JOHN, startTestServer, startTwoHosts } from './mock-api.ts';
