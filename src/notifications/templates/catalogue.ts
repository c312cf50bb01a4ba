import { html } from './html';
import { EmailBody, RenderedEmail, layout } from './layout';

/** What each template needs. Tokens travel in template data only until the email is sent. */
export interface TemplateData {
  'verify-email': { name: string; token: string };
  'password-reset': { name: string; token: string };
  invitation: { organisationName: string; inviterName: string; role: string; token: string };
  'submission-received': { organisationName: string; organisationId: string };
  'information-requested': {
    organisationName: string;
    organisationId: string;
    items: { requirement: string; message: string }[];
    deadline: string;
  };
  'organisation-approved': { organisationName: string; organisationId: string };
  'organisation-rejected': { organisationName: string; organisationId: string; reasons: string[]; note?: string };
  'organisation-suspended': { organisationName: string; organisationId: string; reason: string };
  'organisation-reinstated': { organisationName: string; organisationId: string };
  'app-approved': { appName: string; organisationId: string; appId: string };
  'app-rejected': { appName: string; organisationId: string; appId: string; reasons: string[] };
  'app-information-requested': {
    appName: string;
    organisationId: string;
    appId: string;
    items: { requirement: string; message: string }[];
  };
  'app-suspended': { appName: string; organisationId: string; appId: string; reason: string };
  'app-reinstated': { appName: string; organisationId: string; appId: string; reason: string };
  'credentials-rotated': { appName: string; environment: string; graceEndsAt: string };
  'certificate-issued': { appName: string; thumbprint: string; notAfter: string };
  'certificate-expiring': { appName: string; thumbprint: string; notAfter: string; daysLeft: number };
  'review-digest': { newTasks: number };
  'sla-at-risk': { taskId: string; taskType: string; dueAt: string };
  'consent-expiring': { appName: string; organisationName: string; expiresAt: string };
  'consent-revoked-inactivity': { appName: string; organisationName: string; inactivityDays: number };
  'consent-granted': {
    appName: string;
    organisationName: string;
    consentId: string;
    wording: string;
    dataList: { title: string; description: string }[];
    expiresAt: string;
    receiptSha256: string;
  };
  'consent-inactivity-warning': { appName: string; organisationName: string; revokeOn: string };
  'consent-expired': { appName: string; organisationName: string; expiredAt: string };
}

export type TemplateName = keyof TemplateData;

/** Template data fields that are secrets (tokens): removed from the outbox row once sent. */
export const SECRET_FIELDS: Partial<Record<TemplateName, string[]>> = {
  'verify-email': ['token'],
  'password-reset': ['token'],
  invitation: ['token'],
};

type Builder<T> = (data: T, ctx: { publicUrl: string }) => EmailBody;

const link = (publicUrl: string, path: string, token?: string) =>
  `${publicUrl}${path}${token ? `?token=${encodeURIComponent(token)}` : ''}`;
const day = (iso: string) => new Date(iso).toISOString().slice(0, 10);

const builders: { [K in TemplateName]: Builder<TemplateData[K]> } = {
  'verify-email': (d, { publicUrl }) => ({
    subject: 'Confirm your email address',
    text: [
      `Hello ${d.name},`,
      'Please confirm this email address to finish setting up your Gatehouse developer account. The link works for 24 hours.',
      'If you did not sign up, you can ignore this email.',
    ],
    html: html`<p>Hello ${d.name},</p>
      <p>
        Please confirm this email address to finish setting up your Gatehouse developer account. The link works for 24
        hours.
      </p>
      <p>If you did not sign up, you can ignore this email.</p>`,
    action: { label: 'Confirm email address', url: link(publicUrl, '/verify-email', d.token) },
  }),
  'password-reset': (d, { publicUrl }) => ({
    subject: 'Reset your Gatehouse password',
    text: [
      `Hello ${d.name},`,
      'Someone asked to reset the password of your Gatehouse account. The link works for one hour and only once; using it signs you out everywhere.',
      'If it was not you, ignore this email: your password stays as it is.',
    ],
    html: html`<p>Hello ${d.name},</p>
      <p>
        Someone asked to reset the password of your Gatehouse account. The link works for one hour and only once; using
        it signs you out everywhere.
      </p>
      <p>If it was not you, ignore this email: your password stays as it is.</p>`,
    action: { label: 'Choose a new password', url: link(publicUrl, '/reset-password', d.token) },
  }),
  invitation: (d, { publicUrl }) => ({
    subject: `${d.inviterName} invited you to ${d.organisationName} on Gatehouse`,
    text: [
      `${d.inviterName} invited you to join ${d.organisationName} on Gatehouse as ${d.role}.`,
      'The invitation works once, for this email address only, and expires in 7 days.',
    ],
    html: html`<p>
        ${d.inviterName} invited you to join <strong>${d.organisationName}</strong> on Gatehouse as
        <strong>${d.role}</strong>.
      </p>
      <p>The invitation works once, for this email address only, and expires in 7 days.</p>`,
    action: { label: 'Accept the invitation', url: link(publicUrl, '/invitations/accept', d.token) },
  }),
  'submission-received': (d, { publicUrl }) => ({
    subject: `We received ${d.organisationName}'s verification`,
    text: [
      `Thank you: we received the verification details of ${d.organisationName}.`,
      'Our automated checks run first, then a compliance reviewer looks at the case, usually within two working days. We will email you when there is a decision or if we need anything else.',
    ],
    html: html`<p>Thank you: we received the verification details of <strong>${d.organisationName}</strong>.</p>
      <p>
        Our automated checks run first, then a compliance reviewer looks at the case, usually within two working days.
        We will email you when there is a decision or if we need anything else.
      </p>`,
    action: {
      label: 'See the verification status',
      url: link(publicUrl, `/organisations/${d.organisationId}/verification`),
    },
  }),
  'information-requested': (d, { publicUrl }) => ({
    subject: `We need more information about ${d.organisationName}`,
    text: [
      `Our reviewer needs more information to verify ${d.organisationName}:`,
      d.items.map((i) => `- ${i.requirement}: ${i.message}`).join('\n'),
      `Please update the organisation and resubmit by ${day(d.deadline)}. After that date, production access is suspended until the items are answered.`,
    ],
    html: html`<p>Our reviewer needs more information to verify <strong>${d.organisationName}</strong>:</p>
      <ul>
        ${d.items.map((i) => html`<li><strong>${i.requirement}</strong>: ${i.message}</li>`)}
      </ul>
      <p>
        Please update the organisation and resubmit by <strong>${day(d.deadline)}</strong>. After that date, production
        access is suspended until the items are answered.
      </p>`,
    action: { label: 'Answer the requests', url: link(publicUrl, `/organisations/${d.organisationId}/verification`) },
  }),
  'organisation-approved': (d, { publicUrl }) => ({
    subject: `${d.organisationName} is verified`,
    text: [`Good news: ${d.organisationName} is now verified.`, 'Your apps can now ask for production access.'],
    html: html`<p>Good news: <strong>${d.organisationName}</strong> is now verified.</p>
      <p>Your apps can now ask for production access.</p>`,
    action: { label: 'Go to your organisation', url: link(publicUrl, `/organisations/${d.organisationId}`) },
  }),
  'organisation-rejected': (d, { publicUrl }) => ({
    subject: `${d.organisationName} could not be verified`,
    text: [
      `We could not verify ${d.organisationName}, for these reasons:`,
      d.reasons.map((r) => `- ${r}`).join('\n'),
      ...(d.note ? [`Reviewer's note: ${d.note}`] : []),
      'If you think this is a mistake, reply to this email.',
    ],
    html: html`<p>We could not verify <strong>${d.organisationName}</strong>, for these reasons:</p>
      <ul>
        ${d.reasons.map((r) => html`<li>${r}</li>`)}
      </ul>
      ${d.note ? html`<p>Reviewer's note: ${d.note}</p>` : html``}
      <p>If you think this is a mistake, reply to this email.</p>`,
    action: { label: 'See the decision', url: link(publicUrl, `/organisations/${d.organisationId}/verification`) },
  }),
  'organisation-suspended': (d) => ({
    subject: `${d.organisationName} is suspended`,
    text: [
      `${d.organisationName} has been suspended. Production access of all its apps has stopped.`,
      `Reason: ${d.reason}`,
      'Reply to this email to talk to our compliance team.',
    ],
    html: html`<p>
        <strong>${d.organisationName}</strong> has been suspended. Production access of all its apps has stopped.
      </p>
      <p>Reason: ${d.reason}</p>
      <p>Reply to this email to talk to our compliance team.</p>`,
  }),
  'organisation-reinstated': (d) => ({
    subject: `${d.organisationName} is reinstated`,
    text: [`${d.organisationName} has been reinstated. Production access of its approved apps works again.`],
    html: html`<p>
      <strong>${d.organisationName}</strong> has been reinstated. Production access of its approved apps works again.
    </p>`,
  }),
  'app-approved': (d, { publicUrl }) => ({
    subject: `${d.appName} is approved for production`,
    text: [
      `${d.appName} is approved for production access.`,
      'Issue its production secret (shown once) and, for high-risk scopes, a client certificate.',
    ],
    html: html`<p><strong>${d.appName}</strong> is approved for production access.</p>
      <p>Issue its production secret (shown once) and, for high-risk scopes, a client certificate.</p>`,
    action: { label: 'Open the app', url: link(publicUrl, `/organisations/${d.organisationId}/apps/${d.appId}`) },
  }),
  'app-rejected': (d, { publicUrl }) => ({
    subject: `${d.appName} was not approved for production`,
    text: [
      `${d.appName} was not approved for production access, for these reasons:`,
      d.reasons.map((r) => `- ${r}`).join('\n'),
      'You can change the request and ask again.',
    ],
    html: html`<p><strong>${d.appName}</strong> was not approved for production access, for these reasons:</p>
      <ul>
        ${d.reasons.map((r) => html`<li>${r}</li>`)}
      </ul>
      <p>You can change the request and ask again.</p>`,
    action: { label: 'Open the app', url: link(publicUrl, `/organisations/${d.organisationId}/apps/${d.appId}`) },
  }),
  'app-information-requested': (d, { publicUrl }) => ({
    subject: `More information needed for ${d.appName}`,
    text: [
      `A reviewer needs more information before ${d.appName} can have production access:`,
      d.items.map((i) => `- ${i.message}`).join('\n'),
      'Update the app and ask for production access again.',
    ],
    html: html`<p>A reviewer needs more information before <strong>${d.appName}</strong> can have production access:</p>
      <ul>
        ${d.items.map((i) => html`<li>${i.message}</li>`)}
      </ul>
      <p>Update the app and ask for production access again.</p>`,
    action: { label: 'Open the app', url: link(publicUrl, `/organisations/${d.organisationId}/apps/${d.appId}`) },
  }),
  'app-suspended': (d) => ({
    subject: `${d.appName}'s production access is suspended`,
    text: [
      `Production access of ${d.appName} is suspended: its production secrets and client certificates stop working at once.`,
      `Reason: ${d.reason}`,
      'Sandbox access is not affected. Reply to this email to talk to us.',
    ],
    html: html`<p>
        Production access of <strong>${d.appName}</strong> is suspended: its production secrets and client certificates
        stop working at once.
      </p>
      <p>Reason: ${d.reason}</p>
      <p>Sandbox access is not affected. Reply to this email to talk to us.</p>`,
  }),
  'app-reinstated': (d) => ({
    subject: `${d.appName}'s production access is restored`,
    text: [`Production access of ${d.appName} is restored: its production secrets and client certificates work again.`],
    html: html`<p>
      Production access of <strong>${d.appName}</strong> is restored: its production secrets and client certificates
      work again.
    </p>`,
  }),
  'credentials-rotated': (d) => ({
    subject: `New ${d.environment} secret for ${d.appName}`,
    text: [
      `A new ${d.environment} client secret was issued for ${d.appName}.`,
      `The previous secret keeps working until ${d.graceEndsAt}, then stops.`,
      'If you did not do this, revoke the new secret and tell us at once.',
    ],
    html: html`<p>A new ${d.environment} client secret was issued for <strong>${d.appName}</strong>.</p>
      <p>The previous secret keeps working until ${d.graceEndsAt}, then stops.</p>
      <p>If you did not do this, revoke the new secret and tell us at once.</p>`,
  }),
  'certificate-issued': (d) => ({
    subject: `Client certificate issued for ${d.appName}`,
    text: [
      `A client certificate was issued for ${d.appName}.`,
      `SHA-256 thumbprint: ${d.thumbprint}`,
      `Valid until: ${d.notAfter}`,
    ],
    html: html`<p>A client certificate was issued for <strong>${d.appName}</strong>.</p>
      <p>SHA-256 thumbprint: <code>${d.thumbprint}</code><br />Valid until: ${d.notAfter}</p>`,
  }),
  'certificate-expiring': (d) => ({
    subject: `${d.appName}'s client certificate expires in ${d.daysLeft} days`,
    text: [
      `The client certificate ${d.thumbprint} of ${d.appName} expires on ${d.notAfter}.`,
      'Issue a new certificate beside it and switch over before then, so nothing stops.',
    ],
    html: html`<p>
        The client certificate <code>${d.thumbprint}</code> of <strong>${d.appName}</strong> expires on ${d.notAfter}.
      </p>
      <p>Issue a new certificate beside it and switch over before then, so nothing stops.</p>`,
  }),
  'review-digest': (d, { publicUrl }) => ({
    subject: `${d.newTasks} new review ${d.newTasks === 1 ? 'task' : 'tasks'} waiting`,
    text: [`${d.newTasks} new review ${d.newTasks === 1 ? 'task is' : 'tasks are'} waiting in the queue.`],
    html: html`<p>${d.newTasks} new review ${d.newTasks === 1 ? 'task is' : 'tasks are'} waiting in the queue.</p>`,
    action: { label: 'Open the review queue', url: link(publicUrl, '/review') },
  }),
  'sla-at-risk': (d, { publicUrl }) => ({
    subject: `Review task at risk of missing its SLA`,
    text: [`A ${d.taskType} review task has used 80% of its time and nobody has claimed it.`, `It is due ${d.dueAt}.`],
    html: html`<p>A ${d.taskType} review task has used 80% of its time and nobody has claimed it.</p>
      <p>It is due ${d.dueAt}.</p>`,
    action: { label: 'Open the task', url: link(publicUrl, `/review/tasks/${d.taskId}`) },
  }),
  'consent-expiring': (d) => ({
    subject: `Your permission for ${d.appName} ends soon`,
    text: [
      `The access you gave ${d.appName} (${d.organisationName}) ends on ${day(d.expiresAt)}.`,
      'You do not need to do anything: it simply stops then. If you still use the app, it will ask you again.',
    ],
    html: html`<p>
        The access you gave <strong>${d.appName}</strong> (${d.organisationName}) ends on ${day(d.expiresAt)}.
      </p>
      <p>You do not need to do anything: it simply stops then. If you still use the app, it will ask you again.</p>`,
  }),
  'consent-revoked-inactivity': (d) => ({
    subject: `We stopped ${d.appName}'s access to your data`,
    text: [
      `${d.appName} (${d.organisationName}) had not used the access you gave it for ${d.inactivityDays} days, so we revoked it for you.`,
      'If you still use the app, it will ask you again.',
    ],
    html: html`<p>
        <strong>${d.appName}</strong> (${d.organisationName}) had not used the access you gave it for
        ${d.inactivityDays} days, so we revoked it for you.
      </p>
      <p>If you still use the app, it will ask you again.</p>`,
  }),
  'consent-granted': (d, { publicUrl }) => ({
    subject: `You gave ${d.appName} access to your data`,
    text: [
      d.wording,
      'What it can see:',
      ...d.dataList.map((i) => `- ${i.title}: ${i.description}`),
      `It ends on ${day(d.expiresAt)} at the latest. Narrow or revoke it at any time: ${link(publicUrl, `/customer/consents/${d.consentId}`)}`,
      `Receipt fingerprint (SHA-256): ${d.receiptSha256}`,
    ],
    html: html`<p>${d.wording}</p>
      <p>What it can see:</p>
      <ul>
        ${d.dataList.map((i) => html`<li><strong>${i.title}</strong>: ${i.description}</li>`)}
      </ul>
      <p>
        It ends on ${day(d.expiresAt)} at the latest.
        <a href="${link(publicUrl, `/customer/consents/${d.consentId}`)}">Narrow or revoke it at any time</a>.
      </p>
      <p>Receipt fingerprint (SHA-256): <code>${d.receiptSha256}</code></p>`,
  }),
  'consent-inactivity-warning': (d) => ({
    subject: `${d.appName}'s access to your data will be revoked soon`,
    text: [
      `${d.appName} (${d.organisationName}) has not used the access you gave it for a while. Unless it does, we will revoke it for you on ${day(d.revokeOn)}.`,
      'You do not need to do anything. If you still use the app, using it keeps the access alive.',
    ],
    html: html`<p>
        <strong>${d.appName}</strong> (${d.organisationName}) has not used the access you gave it for a while. Unless it
        does, we will revoke it for you on ${day(d.revokeOn)}.
      </p>
      <p>You do not need to do anything. If you still use the app, using it keeps the access alive.</p>`,
  }),
  'consent-expired': (d) => ({
    subject: `${d.appName}'s access to your data has ended`,
    text: [
      `The access you gave ${d.appName} (${d.organisationName}) reached its end date on ${day(d.expiredAt)} and has stopped.`,
      'If you still use the app, it will ask you again.',
    ],
    html: html`<p>
        The access you gave <strong>${d.appName}</strong> (${d.organisationName}) reached its end date on
        ${day(d.expiredAt)} and has stopped.
      </p>
      <p>If you still use the app, it will ask you again.</p>`,
  }),
};

export class TemplateError extends Error {}

export function isTemplateName(name: string): name is TemplateName {
  return Object.prototype.hasOwnProperty.call(builders, name);
}

/** Renders a stored message. Throws TemplateError (a permanent failure) for unknown templates or bad data. */
export function renderEmail(
  template: string,
  data: Record<string, unknown>,
  ctx: { publicUrl: string },
): RenderedEmail {
  if (!isTemplateName(template)) throw new TemplateError(`unknown template "${template}"`);
  try {
    return layout((builders[template] as Builder<unknown>)(data, ctx));
  } catch (e) {
    throw new TemplateError(`template "${template}" failed: ${(e as Error).message}`);
  }
}
