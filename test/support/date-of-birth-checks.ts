import { apiKey, bearer, encounter, ENCOUNTER_SCOPES, organization, patient } from './fixtures';
import { startTestApp, TestApp } from './test-app';

const LIST = '/external/v1/encounters';
const TOKEN = 'ch_sk_dob_time_zones';
/** Dates a zone west of UTC would shift back a day and one east of it forward; leap days and year ends included. */
const DATES_OF_BIRTH = ['1970-01-01', '2000-02-29', '2024-02-29', '1999-12-31', '2001-01-01'];
const encounterIdOf = (date: string) => `enc_dob_${date}`;

/**
 * `date_of_birth` is a calendar date that never shifts with the server's time zone. Run from
 * a test file whose environment puts the process in `timezone` (timezone-environment.js).
 */
export function describeDateOfBirthIn(timezone: string, januaryOffsetMinutes: number): void {
  describe(`date_of_birth with the process in ${timezone}`, () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await startTestApp();
      await t.load({
        organizations: [organization('org_dob')],
        api_keys: [apiKey('key_dob', 'org_dob', TOKEN, { scopes: ENCOUNTER_SCOPES })],
        patients: DATES_OF_BIRTH.map((date) => patient(`pat_dob_${date}`, 'org_dob', { date_of_birth: date })),
        // Local midnight in Los Angeles: the UTC date is already the next day.
        encounters: DATES_OF_BIRTH.map((date, i) => encounter(encounterIdOf(date), 'org_dob', `pat_dob_${date}`, `2026-01-0${i + 1}T00:00:00-08:00`)),
      });
    });
    afterAll(() => t.close());

    it(`runs with the process clock in ${timezone}`, () => {
      // Without this, a misconfigured run in UTC would pass every check below vacuously.
      expect(new Date(2020, 0, 1).getTimezoneOffset()).toBe(januaryOffsetMinutes);
    });

    it('lists every date_of_birth exactly as stored', async () => {
      const response = await t.http().get(LIST).query({ sort_order: 'asc' }).set('Authorization', bearer(TOKEN));
      expect(response.status).toBe(200);
      expect(response.body.items.map((item: { patient: { date_of_birth: string } }) => item.patient.date_of_birth)).toEqual(DATES_OF_BIRTH);
    });

    it.each(DATES_OF_BIRTH)('reads date_of_birth %s exactly in the detail body', async (date) => {
      const response = await t
        .http()
        .get(`${LIST}/${encounterIdOf(date)}`)
        .set('Authorization', bearer(TOKEN));
      expect(response.status).toBe(200);
      expect(response.body.encounter.patient).toEqual({ patient_id: `pat_dob_${date}`, first_name: 'Jane', last_name: 'Doe', date_of_birth: date });
    });

    it('still writes timestamps in UTC with Z, not in the process time zone', async () => {
      const response = await t
        .http()
        .get(`${LIST}/${encounterIdOf('1970-01-01')}`)
        .set('Authorization', bearer(TOKEN));
      expect(response.body.encounter.created_at).toBe('2026-01-01T08:00:00Z');
    });

    it('filters the window by instant, not by the process time zone', async () => {
      const response = await t
        .http()
        .get(LIST)
        .query({ start_at: '2026-01-02T08:00:00Z', end_at: '2026-01-03T00:00:00-08:00', sort_order: 'asc' })
        .set('Authorization', bearer(TOKEN));
      expect(response.body.items.map((item: { encounter_id: string }) => item.encounter_id)).toEqual([encounterIdOf('2000-02-29')]);
      expect(response.body.total).toBe(1);
    });
  });
}
