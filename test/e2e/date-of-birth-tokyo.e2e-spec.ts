/**
 * @jest-environment ./test/support/timezone-environment.js
 * @jest-environment-options {"timezone": "Asia/Tokyo"}
 */
import { describeDateOfBirthIn } from '../support/date-of-birth-checks';

// East of UTC: reading a DATE as local midnight and printing it in UTC would give the day before.
describeDateOfBirthIn('Asia/Tokyo', -540);
