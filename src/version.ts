/**
 * The frontend's version. It must equal package.json's and the Python
 * package's (tests/test_version.py checks all three).
 */
export const FRONTEND_VERSION = '0.1.0';

/** Why the frontend and the server cannot be trusted together, or null when they match. */
export function versionMismatch(
  frontend: string,
  server: string | undefined | null,
  __: (message: string, ...args: string[]) => string
): string | null {
  if (!server) {
    return __('the server reported no version');
  }
  const [fMajor, fMinor] = frontend.split('.');
  const [sMajor, sMinor] = server.split('.');
  if (fMajor !== sMajor || fMinor !== sMinor) {
    return __('frontend %1 vs server %2', frontend, server);
  }
  return null;
}
