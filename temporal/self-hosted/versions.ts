// The versions Docker Compose pins (docker-compose.yml's image tags), which `npm run temporal:postgres` builds
// from source when there is no Docker: test/compose.test.ts fails when the image tags and these disagree.
export const COMPOSE_VERSIONS = {
  /** temporalio/server and temporalio/admin-tools; go.temporal.io/server's cmd/server and cmd/tools/sql. */
  temporalServer: '1.31.0',
  /** temporalio/ui; github.com/temporalio/ui-server/v2's cmd/server. */
  temporalUi: '2.49.1',
  /** The postgres image; natively, the machine's own PostgreSQL (any supported version) is used instead. */
  postgres: '16.14',
} as const;
