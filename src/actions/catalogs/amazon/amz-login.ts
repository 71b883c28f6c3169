// Signs in through amazon.com's /ap/signin in the browser: the email step, the password step,
// then Two-Step Verification with a code from the account's authenticator app (generated from
// the `totp_secret` login field). Each step's page says how it went: the next form, Amazon's
// "There was a problem" box, an image CAPTCHA, or the home page with the at-main session.
import {
  isShown,
  type LoginField,
  type LoginFlow,
  type LoginOutcome,
  type Page,
  submitAndLoad,
  textOf,
  totpCode,
} from '../../../runtime/index.js';
import { AMAZON_ORIGIN } from './amazon-values.js';

export const amazonLoginFields: readonly LoginField[] = [
  {
    name: 'username',
    type: 'string',
    required: true,
    description: 'Email address or mobile number of the Amazon account',
  },
  {
    name: 'password',
    type: 'password',
    required: true,
    description: 'Its password (kept only when remember_password is true)',
  },
  {
    name: 'totp_secret',
    type: 'totp',
    required: false,
    description:
      'The authenticator-app key (base32, or the otpauth:// URI) when Two-Step Verification is on',
  },
];

/** The OpenID sign-in Amazon's own "Hello, sign in" link starts, returning to the home page. */
function signInUrl(): string {
  const params = new URLSearchParams({
    'openid.pape.max_auth_age': '0',
    'openid.return_to': `${AMAZON_ORIGIN}/?ref_=nav_signin`,
    'openid.identity': 'http://specs.openid.net/auth/2.0/identifier_select',
    'openid.assoc_handle': 'usflex',
    'openid.mode': 'checkid_setup',
    'openid.claimed_id': 'http://specs.openid.net/auth/2.0/identifier_select',
    'openid.ns': 'http://specs.openid.net/auth/2.0',
  });
  return `${AMAZON_ORIGIN}/ap/signin?${params.toString()}`;
}

const SUBMIT = 'form[name="signIn"] input[type="submit"]';
const PROBLEM = '#auth-error-message-box .a-alert-content';
const CAPTCHA = '#auth-captcha-image, #captchacharacters';

const failed = (message: string): LoginOutcome => ({ status: 'failed', message });
const captcha: LoginOutcome = {
  status: 'captcha_required',
  message: 'Amazon asked for the characters of an image CAPTCHA before letting this account in.',
};

/** What the page after the last step shows: signed in, or why not. */
async function finalPage(page: Page): Promise<LoginOutcome> {
  if (await isShown(page, CAPTCHA)) return captcha;
  const problem = await textOf(page, PROBLEM);
  if (problem) return { status: 'bad_password', message: `Amazon said: ${problem}` };
  const cookies = await page.context().cookies(AMAZON_ORIGIN);
  if (cookies.some((c) => c.name === 'at-main' && c.value !== '')) {
    return { status: 'signed_in', sessionCookie: 'at-main' };
  }
  return failed(
    `After sign-in Amazon showed ${new URL(page.url()).pathname} without a session, a page Taskwire does not recognise.`,
  );
}

export const amazonLogin: LoginFlow = async ({ page, params }) => {
  const response = await page.goto(signInUrl(), { waitUntil: 'domcontentloaded' });
  if (!response?.ok() || !(await isShown(page, '#ap_email'))) {
    return failed(
      `Amazon's sign-in page answered HTTP ${response?.status() ?? 'nothing'} without its email field.`,
    );
  }
  await page.fill('#ap_email', params.username ?? '');
  await submitAndLoad(page, 'input#continue');
  if (await isShown(page, CAPTCHA)) return captcha;
  if (!(await isShown(page, '#ap_password'))) {
    const problem = await textOf(page, PROBLEM);
    return problem
      ? { status: 'bad_password', message: `Amazon said: ${problem}` }
      : failed('Amazon did not ask for the password after the email step.');
  }
  await page.fill('#ap_password', params.password ?? '');
  await submitAndLoad(page, SUBMIT);

  if (await isShown(page, '#auth-mfa-otpcode')) {
    const secret = params.totp_secret;
    if (secret === undefined) {
      return {
        status: 'mfa_required',
        message:
          'This Amazon account has Two-Step Verification on: send its authenticator key as totp_secret.',
      };
    }
    await page.fill('#auth-mfa-otpcode', totpCode(secret));
    await submitAndLoad(page, SUBMIT);
    if (await isShown(page, '#auth-mfa-otpcode')) {
      const problem = await textOf(page, PROBLEM);
      return {
        status: 'bad_password',
        message: `Amazon did not accept the one-time code made from totp_secret${problem ? `: ${problem}` : '.'}`,
      };
    }
  }
  return finalPage(page);
};
