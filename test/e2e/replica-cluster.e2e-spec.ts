import { queryOn as query, startReplicaCluster, type ReplicaCluster } from '../support/replica-cluster';
import { describeWith, serviceUrl } from '../support/services';

/** What the replica suites stand on (issue 24): a streaming standby that follows its primary, pauses and stops on demand. */
describeWith('postgresBinaries', 'a primary with a streaming standby of its own', () => {
  let cluster: ReplicaCluster;

  beforeAll(async () => {
    cluster = await startReplicaCluster(serviceUrl('postgresBinaries')!);
  }, 120_000);

  afterAll(() => cluster?.close());

  it('streams what the primary writes to the standby, which is read-only', async () => {
    await query(cluster.primaryUrl, 'CREATE TABLE streamed (n integer); INSERT INTO streamed VALUES (1)');
    await cluster.caughtUp();
    expect(await query(cluster.replicaUrl, 'SELECT n FROM streamed')).toEqual([{ n: 1 }]);
    expect(await query(cluster.replicaUrl, 'SELECT pg_is_in_recovery() AS standby')).toEqual([{ standby: true }]);
    await expect(query(cluster.replicaUrl, 'INSERT INTO streamed VALUES (2)')).rejects.toThrow(/read-only transaction/);
  });

  it('falls behind while replay is paused, and catches up once resumed', async () => {
    await query(cluster.primaryUrl, 'CREATE TABLE paused (n integer)');
    await cluster.caughtUp();
    await cluster.pauseReplay();
    await query(cluster.primaryUrl, 'INSERT INTO paused VALUES (1)');
    await expect(cluster.caughtUp(500)).rejects.toThrow(/within 500 ms/);
    expect(await query(cluster.replicaUrl, 'SELECT n FROM paused')).toEqual([]);
    await cluster.resumeReplay();
    await cluster.caughtUp();
    expect(await query(cluster.replicaUrl, 'SELECT n FROM paused')).toEqual([{ n: 1 }]);
  });

  it('stops and starts again as a standby', async () => {
    await cluster.stopReplica();
    await expect(query(cluster.replicaUrl, 'SELECT 1')).rejects.toThrow(/ECONNREFUSED/);
    await cluster.startReplica();
    expect(await query(cluster.replicaUrl, 'SELECT pg_is_in_recovery() AS standby')).toEqual([{ standby: true }]);
  });
});
