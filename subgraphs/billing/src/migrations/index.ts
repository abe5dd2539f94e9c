import { M0001Init } from './m0001-init.js';
import { M0002AccountsAndMetering } from './m0002-accounts-and-metering.js';

/** Billing's migrations, in order of application. */
export const billingMigrations = [
  { name: 'm0001-init', class: M0001Init },
  { name: 'm0002-accounts-and-metering', class: M0002AccountsAndMetering },
];
