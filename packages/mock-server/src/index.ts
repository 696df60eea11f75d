export { JWT_RESPONSE_BODIES } from './jwt-bodies.ts';
export { DEFAULT_USER } from './options.ts';
export { startMockServer } from './server.ts';
export type {
  ApiScheme,
  CannedResponse,
  InactiveBody,
  JwtFault,
  JwtFaultName,
  MintOptions,
  MockConfig,
  MockConfigUpdate,
  MockControl,
  MockQuotaOptions,
  MockRequestInfo,
  MockServer,
  MockServerOptions,
  MockStats,
  MockUserInfo,
  MockUserInput,
  RevokeTarget,
  UserStatus,
  WaitTarget,
} from './types.ts';
export { UnknownUserError } from './users.ts';
