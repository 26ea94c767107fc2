// The package as users get it: the declarations match the module, the version follows Maven's, exports resolve.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as client from '../switchboard.js';

const here = (path) => new URL(path, import.meta.url);
const pkg = JSON.parse(readFileSync(here('../package.json'), 'utf8'));
const dts = readFileSync(here('../switchboard.d.ts'), 'utf8');

test('every export of the module is declared, and every declared value exists', () => {
  const declaredValues = [...dts.matchAll(/^export declare (?:const|function|class) (\w+)/gm)].map((m) => m[1]);
  const exported = Object.keys(client);
  assert.deepEqual([...declaredValues].sort(), [...exported].sort());
  const declaredTypes = [...dts.matchAll(/^export (?:interface|type) (\w+)/gm)].map((m) => m[1]);
  for (const name of declaredTypes) {
    assert.ok(!exported.includes(name), `${name} is declared as a type only but exported as a value`);
  }
});

test('the declared kinds match: functions are functions, classes are constructors', () => {
  for (const [, kind, name] of dts.matchAll(/^export declare (const|function|class) (\w+)/gm)) {
    const value = client[name];
    if (kind === 'function' || kind === 'class') assert.equal(typeof value, 'function', name);
    if (kind === 'const') assert.equal(typeof value, 'object', name);
  }
});

test('the package version is the Maven project version', () => {
  const pom = readFileSync(here('../../pom.xml'), 'utf8');
  const version = pom.match(/<artifactId>switchboard-parent<\/artifactId>\s*<version>([^<]+)<\/version>/)[1];
  assert.equal(pkg.version, version);
});

test('the exports map names files that exist, and the package imports by its name', async () => {
  const target = pkg.exports['.'];
  for (const file of [target.types, target.import, target.default, pkg.main, pkg.types]) {
    assert.ok(readFileSync(here('../' + file)).length > 0, file);
  }
  assert.deepEqual(pkg.files.sort(), ['event-stream.js', 'switchboard.d.ts', 'switchboard.js']); // the module and what it imports
  const self = await import(pkg.name); // self-reference through "exports"
  assert.equal(self.connect, client.connect);
});
