/**
 * @jest-environment ./test/support/timezone-environment.js
 * @jest-environment-options {"timezone": "America/Los_Angeles"}
 */
import { describeDateOfBirthIn } from '../support/date-of-birth-checks';

// West of UTC: reading a DATE as UTC midnight and printing it locally would give the day before.
describeDateOfBirthIn('America/Los_Angeles', 480);
