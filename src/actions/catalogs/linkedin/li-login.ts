// Signs in through LinkedIn's own form at /login: fills #username and #password, submits, and
// reads where LinkedIn sends the browser — the feed (signed in; li_at is the session), the
// form again with an inline error, or the security verification at /checkpoint/challenge/.
import {
  isShown,
  type LoginField,
  type LoginFlow,
  type LoginOutcome,
  submitAndLoad,
  textOf,
} from '../../../runtime/index.js';

const ORIGIN = 'https://www.linkedin.com';

export const linkedinLoginFields: readonly LoginField[] = [
  {
    name: 'username',
    type: 'string',
    required: true,
    description: 'Email address or phone number of the LinkedIn account',
  },
  {
    name: 'password',
    type: 'password',
    required: true,
    description: 'Its password (kept only when remember_password is true)',
  },
];

const failed = (message: string): LoginOutcome => ({ status: 'failed', message });

export const linkedinLogin: LoginFlow = async ({ page, params }) => {
  const response = await page.goto(`${ORIGIN}/login`, { waitUntil: 'domcontentloaded' });
  if (!response?.ok()) {
    return failed(
      `LinkedIn's sign-in page answered HTTP ${response?.status() ?? 'nothing'} instead of the form.`,
    );
  }
  if (!(await isShown(page, '#username')) || !(await isShown(page, '#password'))) {
    return failed("LinkedIn's sign-in page did not show its username and password fields.");
  }
  await page.fill('#username', params.username ?? '');
  await page.fill('#password', params.password ?? '');
  await submitAndLoad(page, 'form.login__form button[type="submit"]');

  const { pathname } = new URL(page.url());
  if (pathname.startsWith('/checkpoint/challenge')) {
    return {
      status: 'captcha_required',
      message:
        'LinkedIn asked for a security verification (CAPTCHA) before letting this account sign in.',
    };
  }
  const passwordError = await textOf(page, '#error-for-password');
  if (passwordError) return { status: 'bad_password', message: `LinkedIn said: ${passwordError}` };
  const usernameError = await textOf(page, '#error-for-username');
  if (usernameError) return { status: 'bad_password', message: `LinkedIn said: ${usernameError}` };
  if (pathname.startsWith('/feed')) {
    const cookies = await page.context().cookies(ORIGIN);
    if (cookies.some((c) => c.name === 'li_at' && c.value !== '')) {
      return { status: 'signed_in', sessionCookie: 'li_at' };
    }
    return failed('LinkedIn showed the feed but set no li_at session cookie.');
  }
  const alert = await textOf(page, '#global-alert-queue .alert-content');
  if (alert) return failed(`LinkedIn said: ${alert}`);
  return failed(`After sign-in LinkedIn showed ${pathname}, a page Taskwire does not recognise.`);
};
