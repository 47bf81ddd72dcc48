// Vietnamese by default; `?lang=en` switches to English and is remembered on later pages;
// `?lang=vi` switches back. The visible language switch is a real link.
const { test, expect } = require('@playwright/test');
const h = require('./helpers');

test('?lang=en switches to English and is remembered', async ({ page, request }) => {
  await h.skipIfPending(request, '/');
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'vi');
  const viHeading = await page.getByRole('heading', { level: 1 }).innerText();

  await page.goto('/?lang=en');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  const enHeading = await page.getByRole('heading', { level: 1 }).innerText();
  expect(enHeading, 'the heading is translated').not.toBe(viHeading);

  // Remembered: later pages without the parameter stay English.
  await page.goto(`/thu-tuc/${h.BIRTH.code}`);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.goto('/tra-cuu');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');

  await page.goto('/?lang=vi');
  await expect(page.locator('html')).toHaveAttribute('lang', 'vi');
  await page.goto('/tra-cuu');
  await expect(page.locator('html')).toHaveAttribute('lang', 'vi');
});

test('the language switch link works without typing a URL', async ({ page, request }) => {
  await h.skipIfPending(request, '/');
  await page.goto('/');
  await page.getByRole('link', { name: /^(English|EN)$/i }).first().click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.getByRole('link', { name: /^(Tiếng Việt|VI)$/i }).first().click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'vi');
});
