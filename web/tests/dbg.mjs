import { chromium } from 'playwright-core';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage();
page.on('console', (m) => console.log('console:', m.type(), m.text().slice(0, 300)));
page.on('pageerror', (e) => console.log('pageerror:', e.message));
await page.goto('http://127.0.0.1:8080/');
await page.waitForSelector('body[data-ready=true]', { timeout: 30000 });
const card = page.locator('section', { hasText: 'Restore your key' });
await card.getByLabel('Recovery phrase').fill('//Alice');
await card.getByLabel('Passphrase (to unlock on this device)').fill('correct horse');
await card.getByLabel('Passphrase again').fill('correct horse');
await card.getByRole('button', { name: 'Restore' }).click();
await page.waitForSelector('h2:has-text("Our doctors")', { timeout: 30000 });
await page.getByLabel("Doctor's account").fill('5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty');
await page.getByLabel('Full name').fill('Perry Cox');
await page.getByLabel('Licence number').fill('MD-1');
await page.getByRole('button', { name: 'Register the doctor' }).click();
for (let i = 0; i < 10; i++) { await page.waitForTimeout(3000); console.log('status:', await page.locator('#status').textContent(), '| alert:', await page.locator('#alert').textContent()); }
await browser.close();
