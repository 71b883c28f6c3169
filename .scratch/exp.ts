import { chromium } from 'playwright-core';
import { startBrowserProxy } from '../src/runtime/browser-proxy.js';
import { routeMappedOrigins, createMappedDispatcher } from '../src/runtime/browser-origin-map.js';
import { startWebSite, startVictim, totalHits } from '../test/fixtures/sites/web/site.js';

const victim = await startVictim({ host: '127.0.0.1' });
const site = await startWebSite({ host: '127.0.0.2', victimOrigin: victim.origin });
const proxy = await startBrowserProxy({ guard: { allowPrivate: false, allowCidrs: ['127.0.0.2/32'] }, onRefused: (t, r) => console.log('refused', t, r) });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox','--disable-gpu','--disable-quic','--force-webrtc-ip-handling-policy=disable_non_proxied_udp'], proxy: { server: proxy.url } });
const context = await browser.newContext({ proxy: { server: proxy.url }, serviceWorkers: 'block', storageState: { cookies: [{ name: 'sid', value: 'abc', domain: '.example.org', path: '/', expires: -1, httpOnly: true, secure: true, sameSite: 'Lax' }], origins: [{ origin: 'https://www.example.org', localStorage: [{ name: 'k', value: 'v' }] }] } });
await routeMappedOrigins(context, { originMap: new Map([['https://www.example.org', site.origin]]), maxBytes: 1e7, timeoutMs: 5000, dispatcher: createMappedDispatcher() });
const page = await context.newPage();
const r1 = await page.goto(`${site.origin}/article`); console.log('direct', r1?.status(), await page.title());
try { const r2 = await page.goto(`${victim.origin}/`); console.log('victim goto', r2?.status(), await page.content()); } catch (e) { console.log('victim err', (e as Error).message.split('\n')[0]); }
const r3 = await page.goto('https://www.example.org/login'); console.log('mapped', r3?.status(), page.url(), (await page.content()).slice(0, 300));
console.log('ls', await page.evaluate(() => localStorage.getItem('k')), await page.evaluate(() => document.cookie));
console.log('cookies', (await context.cookies()).map(c => `${c.name}@${c.domain}`));
const r4 = await page.goto('https://www.example.org/absolute-redirect'); console.log('absredir', r4?.status(), page.url());
try { await page.goto('https://localhost:1/'); } catch (e) { console.log('localhost err', (e as Error).message.split('\n')[0]); }
console.log('victim hits', totalHits(victim), 'refused', proxy.refused);
await browser.close(); await proxy.close(); await site.close(); await victim.close();
