// The signed-in user, kept in sync with the API client.
import { api, type User } from './api';

export const session = $state<{ user: User | null; ready: boolean }>({ user: null, ready: false });

api.onSession((u) => {
  session.user = u;
});
