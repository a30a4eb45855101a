import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorMessage, exitCodeOf, KbadmError, ValidationError } from '../src/errors.js';

describe('errorMessage', () => {
  it('is the message of an Error, without its class name or stack', () => {
    assert.equal(
      errorMessage(new KbadmError('open /etc/kubernetes/pki/ca.crt: no such file')),
      'open /etc/kubernetes/pki/ca.crt: no such file',
    );
  });

  it('turns a thrown non-Error into text', () => {
    assert.equal(errorMessage('disk full'), 'disk full');
    assert.equal(errorMessage(42), '42');
    assert.equal(errorMessage(undefined), 'undefined');
  });
});

describe('exitCodeOf', () => {
  it('finds a validation error under a wrapper', () => {
    const inner = new ValidationError([{ field: '--rootfs', detail: 'must be an absolute path' }]);
    assert.equal(exitCodeOf(new KbadmError('error execution phase certs', { cause: inner })), 3);
    assert.equal(exitCodeOf(new Error('plain')), 1);
  });
});
