// The check-in schedule the care team set, in the patient's words; nothing while there is no plan or no schedule.
// When the next check-in is due is the server's to say (missed check-ins), not computed here.
import { describeScheduleForPatient, useApiResource, useSignedInSession } from '@healthflow/shared';

export function MySchedule() {
  const { api, session } = useSignedInSession();
  const patientId = session.patientId ?? '';
  const plan = useApiResource((signal) => (patientId ? api.getMonitoringPlan(patientId, signal) : Promise.resolve(null)), [api, patientId]);
  const schedule = plan.data?.plan.schedule;
  // A plan that could not be read leaves the check-in as it always was: the form works without it.
  if (!schedule) return null;
  return (
    <p className="card schedule-note" data-testid="checkin-schedule">
      {describeScheduleForPatient(schedule)}
    </p>
  );
}
