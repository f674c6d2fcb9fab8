import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandWords } from './argv.js';
import { gunicornFlags } from './gunicorn.js';

describe('gunicorn on the command line', () => {
  it('reads --graceful-timeout, --timeout/-t and --keep-alive, as words or flag=value, the first one winning (the command line over GUNICORN_CMD_ARGS)', () => {
    assert.deepEqual(
      gunicornFlags(commandWords(['gunicorn --graceful-timeout 20 -t 120 --keep-alive=75 app:app'])),
      { gracefulTimeout: 20, timeout: 120, keepAlive: 75 },
    );
    assert.deepEqual(gunicornFlags(['/usr/local/bin/gunicorn', '--timeout=60', '--timeout', '90']), {
      timeout: 60,
    });
  });
  it('python -m gunicorn runs gunicorn; GUNICORN_CMD_ARGS gives flags the command line overrides', () => {
    assert.deepEqual(
      gunicornFlags(['python', '-m', 'gunicorn', 'app:app'], '--graceful-timeout 5 --keep-alive 9'),
      {
        gracefulTimeout: 5,
        keepAlive: 9,
      },
    );
    assert.deepEqual(gunicornFlags(['gunicorn', '--graceful-timeout', '7'], '--graceful-timeout 5'), {
      gracefulTimeout: 7,
    });
  });
  it('other programs are not gunicorn', () => {
    assert.equal(gunicornFlags(['uvicorn', '--timeout-graceful-shutdown', '5']), undefined);
    assert.equal(gunicornFlags(commandWords(['sh -c "python app.py"'])), undefined);
  });
});
