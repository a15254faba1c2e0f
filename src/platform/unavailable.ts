/**
 * The server's own words when the platform cannot work (HTTP 503: e.g. its store cannot be
 * opened; the answer says why and what to do), else null. The extension still answers then,
 * so "is it installed?" would send people the wrong way.
 */
export function unavailableReason(error: unknown): string | null {
  const status = (error as { status?: unknown } | null)?.status;
  return status === 503 && error instanceof Error && error.message ? error.message : null;
}
