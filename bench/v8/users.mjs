#!/usr/bin/env node
// users.mjs writes to stdout a page of user records of about SIZE bytes:
// the same bytes as corpus.UserPage (bench/corpus/userpage.go) and
// host-test's usersPayload, which TestV8MatchesNative checks.
//
//	node bench/v8/users.mjs SIZE > users.json

import { pathToFileURL } from 'node:url';

/** usersPayload returns the document as a string. */
export function usersPayload(size) {
  const pad = (n, width) => String(n).padStart(width, '0');
  let b = '{"page":1,"total":9000,"users":[';
  for (let i = 0; b.length < size - 500 || i === 0; i++) {
    if (i > 0) b += ',\n  ';
    b += `{"id":${i},"name":"User Number ${i}","email":"user${i}@example.com","phone":"+1 (555) 010-${pad(i % 10000, 4)}",` +
      `"address":{"street":"${i} Main Street","city":"Springfield","zip":"${pad(i % 100000, 5)}","country":"US"},` +
      `"card_number":"4111 1111 1111 ${pad(i % 10000, 4)}","ssn":"123-45-${pad(i % 10000, 4)}","created_at":"2024-01-02T03:04:05Z",` +
      `"tags":["vip","beta"],"score":${i % 100}.5,"active":true,"notes":"Called about order \\"${i}\\", wants a refund."}`;
  }
  return `${b}]}`;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const size = Number(process.argv[2]);
  if (!Number.isInteger(size) || size <= 0) {
    process.stderr.write('usage: node bench/v8/users.mjs SIZE\n');
    process.exit(2);
  }
  process.stdout.write(usersPayload(size));
}
