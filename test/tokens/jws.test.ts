// The detached JWS of cluster-info against cluster-bootstrap's published test vectors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeDetachedSignature, detachedSignatureIsValid } from '../../src/tokens/jws.js';

const CONTENT = 'Hello from the other side. I must have called a thousand times.';
const ID = 'joshua';
const SECRET = 'my voice is my passcode';

const VECTORS: { name: string; content: string; secret: string; want: string }[] = [
  {
    name: 'content and secret',
    content: CONTENT,
    secret: SECRET,
    want: 'eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..VShe2taLd-YTrmWuRkcL_8QTNDHYxQIEBsAYYiIj1_8',
  },
  {
    name: 'empty content',
    content: '',
    secret: SECRET,
    want: 'eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..7Ui1ALizW4jXphVUB7xUqC9vLYLL9RZeOFfVLoB7Tgk',
  },
  {
    name: 'empty secret',
    content: CONTENT,
    secret: '',
    want: 'eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..UfkqvDGiIFxrMnFseDj9LYJOLNrvjW8aHhF71mvvAs8',
  },
];

for (const v of VECTORS) {
  test(`vector: ${v.name}`, () => {
    assert.equal(computeDetachedSignature(v.content, ID, v.secret), v.want);
    assert.equal(detachedSignatureIsValid(v.content, ID, v.secret, v.want), true);
  });
}

test('a signature with anything appended does not validate', () => {
  assert.equal(detachedSignatureIsValid(CONTENT, ID, SECRET, `${VECTORS[0]!.want}foo`), false);
});

test('another token, another secret or other content do not validate', () => {
  const sig = VECTORS[0]!.want;
  assert.equal(detachedSignatureIsValid(CONTENT, 'joshub', SECRET, sig), false);
  assert.equal(detachedSignatureIsValid(CONTENT, ID, `${SECRET}!`, sig), false);
  assert.equal(detachedSignatureIsValid(`${CONTENT} `, ID, SECRET, sig), false);
});

test('the protected header is {"alg":"HS256","kid":<id>} and the payload part is empty', () => {
  const [header, payload, signature] = computeDetachedSignature('x', 'abcdef', '0123456789abcdef').split('.');
  assert.equal(Buffer.from(header!, 'base64url').toString('utf8'), '{"alg":"HS256","kid":"abcdef"}');
  assert.equal(payload, '');
  assert.equal(Buffer.from(signature!, 'base64url').length, 32);
});
