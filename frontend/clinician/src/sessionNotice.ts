// What the clinician app's sign-in page says after a forced sign-out: the inbox was the one place alerts reached
// this clinician, so it says plainly that they stopped.
export const alertsStoppedNotice =
  'Signed out: your session ended, so alerts stopped. No new alert will show or sound here until you sign in again.';
