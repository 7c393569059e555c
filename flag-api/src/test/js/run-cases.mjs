// Evaluates every case of the OFREP case table with the OpenFeature JavaScript server SDK and its OFREP provider,
// unchanged, against a running flag-api; prints one JSON array of results. Checking is done by OfrepConformanceTest,
// with the same code that checks the Java provider.
// Usage: node run-cases.mjs <flag-api base URL> <SDK key> <cases.json>
import { readFileSync } from 'node:fs';
import { OpenFeature } from '@openfeature/server-sdk';
import { OFREPProvider } from '@openfeature/ofrep-provider';

const [baseUrl, sdkKey, casesPath] = process.argv.slice(2);
const table = JSON.parse(readFileSync(casesPath, 'utf8'));
await OpenFeature.setProviderAndWait('flagledger', new OFREPProvider({ baseUrl, headers: [['Authorization', `Bearer ${sdkKey}`]] }));
const client = OpenFeature.getClient('flagledger');
const getters = {
  boolean: (k, d, c) => client.getBooleanDetails(k, d, c),
  string: (k, d, c) => client.getStringDetails(k, d, c),
  integer: (k, d, c) => client.getNumberDetails(k, d, c),
  float: (k, d, c) => client.getNumberDetails(k, d, c),
  object: (k, d, c) => client.getObjectDetails(k, d, c),
};
const results = [];
for (const c of table.cases) {
  const d = await getters[c.getter](c.flag, c.default, c.context);
  results.push({ name: c.name, value: d.value, variant: d.variant ?? null, reason: d.reason ?? null, errorCode: d.errorCode ?? null });
}
process.stdout.write(JSON.stringify(results) + '\n');
await OpenFeature.close();
