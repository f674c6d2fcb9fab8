import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { finalCommands, missingExec } from './script.js';

describe('entrypoint script scanning', () => {
  it('finds the last top-level command past comments, set -e, functions and if blocks', () => {
    const script = [
      '#!/bin/sh',
      'set -e',
      '# wait for the database',
      'wait_for_db() {',
      '  until nc -z db 5432; do sleep 1; done',
      '  exec false',
      '}',
      'if [ "$1" = "migrate" ]; then',
      '  exec ./migrate',
      'fi',
      'wait_for_db',
      'exec "$@"   # hand over to CMD',
    ].join('\n');
    assert.deepEqual(finalCommands(script), [{ text: 'exec "$@"', line: 12 }]);
    assert.equal(missingExec(script), undefined);
  });

  it('flags a script that runs the app without exec', () => {
    assert.deepEqual(missingExec('#!/bin/sh\nset -e\nnode server.js\n'), { text: 'node server.js', line: 3 });
    assert.deepEqual(missingExec('#!/bin/sh\n./prepare.sh\n"$@"\n'), { text: '"$@"', line: 3 });
  });

  it("a script that traps SIGTERM and waits for its children passes SIGTERM on itself (NGINX Gateway Fabric's entrypoint); a trap with a foreground app does not", () => {
    const supervisor =
      '#!/bin/bash\nhandle_term() { kill -TERM "$nginx_pid"; }\ntrap \'handle_term\' TERM\n/usr/sbin/nginx -g "daemon off;" &\nnginx_pid=$!\nwait -n\necho "exiting"\n';
    assert.equal(missingExec(supervisor), undefined);
    // Without `wait` the shell runs the trap only once the foreground app has exited.
    assert.deepEqual(missingExec('#!/bin/sh\ntrap "kill 0" TERM\nnode server.js\n'), {
      text: 'node server.js',
      line: 3,
    });
  });

  it('accepts exec after && and one-line blocks before it', () => {
    assert.equal(
      missingExec('#!/bin/sh\nif [ -f .env ]; then . ./.env; fi\n./migrate && exec node server.js\n'),
      undefined,
    );
  });

  it('a script that ends in if/else or case: every branch must exec the app', () => {
    const ifElse = [
      '#!/bin/sh',
      'set -e',
      'if [ "$1" = worker ]; then',
      '  exec celery -A app worker',
      'else',
      '  gunicorn -b 0.0.0.0:8000 app:app',
      'fi',
    ].join('\n');
    assert.deepEqual(missingExec(ifElse), { text: 'gunicorn -b 0.0.0.0:8000 app:app', line: 6 });
    assert.equal(missingExec(ifElse.replace('  gunicorn', '  exec gunicorn')), undefined);
    const caseBlock = [
      '#!/bin/sh',
      'case "$1" in',
      '  worker) exec celery -A app worker ;;',
      '  web)',
      '    ./migrate',
      '    node server.js',
      '    ;;',
      '  *) exec "$@" ;;',
      'esac',
    ].join('\n');
    assert.deepEqual(finalCommands(caseBlock), [
      { text: 'exec celery -A app worker', line: 3 },
      { text: 'node server.js', line: 6 },
      { text: 'exec "$@"', line: 8 },
    ]);
    assert.deepEqual(missingExec(caseBlock), { text: 'node server.js', line: 6 });
  });
});
