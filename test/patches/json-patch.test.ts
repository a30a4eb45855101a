// RFC 6902 behaviour, including the examples of its appendix A.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyJsonPatch, parsePointer, PatchError, type Json } from '../../src/patches/json-patch.js';

const apply = (doc: Json, patch: unknown) => applyJsonPatch(doc, patch);

describe('JSON patch (RFC 6902)', () => {
  test('A.1 add an object member', () => {
    assert.deepEqual(apply({ foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }]), {
      foo: 'bar',
      baz: 'qux',
    });
  });
  test('A.2 add an array element', () => {
    assert.deepEqual(apply({ foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }]), {
      foo: ['bar', 'qux', 'baz'],
    });
  });
  test('A.3 remove an object member, A.4 remove an array element', () => {
    assert.deepEqual(apply({ baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }]), { foo: 'bar' });
    assert.deepEqual(apply({ foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }]), {
      foo: ['bar', 'baz'],
    });
  });
  test('A.5 replace a value', () => {
    assert.deepEqual(apply({ baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }]), {
      baz: 'boo',
      foo: 'bar',
    });
  });
  test('A.6 move a value, A.7 move an array element', () => {
    assert.deepEqual(
      apply({ foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } }, [
        { op: 'move', from: '/foo/waldo', path: '/qux/thud' },
      ]),
      { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } },
    );
    assert.deepEqual(
      apply({ foo: ['all', 'grass', 'cows', 'eat'] }, [{ op: 'move', from: '/foo/1', path: '/foo/3' }]),
      {
        foo: ['all', 'cows', 'eat', 'grass'],
      },
    );
  });
  test('A.8 / A.9 test succeeds or fails the whole patch', () => {
    const doc = { baz: 'qux', foo: ['a', 2, 'c'] };
    assert.deepEqual(
      apply(doc, [
        { op: 'test', path: '/baz', value: 'qux' },
        { op: 'test', path: '/foo/1', value: 2 },
      ]),
      doc,
    );
    assert.throws(() => apply({ baz: 'qux' }, [{ op: 'test', path: '/baz', value: 'bar' }]), PatchError);
  });
  test('A.10 add a nested member object, A.16 add an array value', () => {
    assert.deepEqual(apply({ foo: 'bar' }, [{ op: 'add', path: '/child', value: { grandchild: {} } }]), {
      foo: 'bar',
      child: { grandchild: {} },
    });
    assert.deepEqual(apply({ foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }]), {
      foo: ['bar', ['abc', 'def']],
    });
  });
  test('A.12 adding to a nonexistent target fails', () => {
    assert.throws(
      () => apply({ foo: 'bar' }, [{ op: 'add', path: '/baz/bat', value: 'qux' }]),
      /does not exist/,
    );
  });
  test('A.14 ~ escapes in pointers', () => {
    assert.deepEqual(parsePointer('/a~1b/m~0n'), ['a/b', 'm~n']);
    assert.deepEqual(apply({ '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: 10 }]), {
      '/': 9,
      '~1': 10,
    });
  });
  test('copy duplicates; an index past the end and a bad operation are errors', () => {
    assert.deepEqual(apply({ a: { b: 1 } }, [{ op: 'copy', from: '/a', path: '/c' }]), {
      a: { b: 1 },
      c: { b: 1 },
    });
    assert.throws(() => apply({ a: [1] }, [{ op: 'add', path: '/a/5', value: 2 }]), /out of bounds/);
    assert.throws(() => apply({}, [{ op: 'frobnicate', path: '/a' }]), /unknown operation/);
    assert.throws(() => apply({}, { op: 'add' }), /array/);
    assert.throws(() => apply({ a: 1 }, [{ op: 'replace', path: '/b', value: 2 }]), /does not exist/);
  });
  test('the input document is not modified', () => {
    const doc = { a: [1, 2] };
    apply(doc, [{ op: 'remove', path: '/a/0' }]);
    assert.deepEqual(doc, { a: [1, 2] });
  });
});
