import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { checkTable, type ConsistencyReport } from '../../lambda/store/consistency';

/** Scans the table and fails with every finding listed unless the checker finds none. */
export async function expectConsistent(client: DynamoDBDocumentClient, tableName: string): Promise<ConsistencyReport> {
  const report = await checkTable(client, tableName);
  if (report.findings.length > 0) {
    const lines = report.findings.slice(0, 50).map((f) => `${f.kind} ${f.pk} / ${f.sk}: ${f.detail}`);
    throw new Error(`The consistency checker found ${report.findings.length} problem(s):\n${lines.join('\n')}`);
  }
  return report;
}
