// A static-context (browser-style) OpenFeature client with the OFREP web provider, unchanged: it reads the bulk
// evaluation's eventStreams and re-fetches on refetchEvaluation. Node has no EventSource, so the `eventsource`
// package stands in for the browser's. Prints "ready <value>", then "changed <value>" after the first
// ConfigurationChanged event, then exits (OfrepConformanceTest changes the flag in between).
// Usage: node run-live.mjs <flag-api base URL> <client SDK key> <flag key>
import { EventSource } from 'eventsource';
import { OpenFeature, ProviderEvents } from '@openfeature/web-sdk';
import { OFREPWebProvider } from '@openfeature/ofrep-web-provider';

globalThis.EventSource = EventSource;
const [baseUrl, sdkKey, flagKey] = process.argv.slice(2);
const provider = new OFREPWebProvider({ baseUrl, headers: [['Authorization', `Bearer ${sdkKey}`]], pollInterval: 0, changeDetection: 'sse' });
await OpenFeature.setContext({ targetingKey: 'live-user' });
await OpenFeature.setProviderAndWait(provider);
const client = OpenFeature.getClient();
client.addHandler(ProviderEvents.ConfigurationChanged, () => {
  console.log(`changed ${client.getBooleanValue(flagKey, false)}`);
  OpenFeature.close().finally(() => process.exit(0));
});
console.log(`ready ${client.getBooleanValue(flagKey, false)}`);
setTimeout(() => { console.log('timeout'); process.exit(2); }, 30000);
