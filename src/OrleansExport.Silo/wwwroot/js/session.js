// @ts-check
// The API key and who it belongs to, kept for this browser tab only (sessionStorage) and dropped on sign out.
const KEY = 'orleansExport.apiKey';
const ME = 'orleansExport.me';

export const session = {
  get key() { return sessionStorage.getItem(KEY); },
  get me() {
    const stored = sessionStorage.getItem(ME);
    return stored ? JSON.parse(stored) : null;
  },
  get signedIn() { return this.key !== null && this.me !== null; },
  get isAdmin() { return this.me?.role === 'Admin'; },
  get canWrite() { return this.me?.role === 'Admin' || this.me?.role === 'Contributor'; },
  signIn(key, me) {
    sessionStorage.setItem(KEY, key);
    sessionStorage.setItem(ME, JSON.stringify(me));
  },
  signOut() {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(ME);
  },
};

/** Admins may use every connection; contributors only those that allow contributors; viewers none (as the API decides). */
export function mayUse(connection) {
  return session.isAdmin || (session.me?.role === 'Contributor' && connection.allowContributors);
}
