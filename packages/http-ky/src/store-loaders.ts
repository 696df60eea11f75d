import type { StoreLoaders } from '@connexease-kit/auth-core/transport';

/** The optional store peers, imported from this package's location, only when asked for. */
export const STORE_LOADERS: StoreLoaders = {
  redis: () => import('@connexease-kit/token-store-redis'),
  file: () => import('@connexease-kit/token-store-file'),
  postgres: () => import('@connexease-kit/token-store-postgres'),
};
