import {
  APIGatewayClient,
  ConflictException,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  GetApiKeysCommand,
  NotFoundException,
} from '@aws-sdk/client-api-gateway';
import { usageKeyValue } from '../../lambda/http/edge-authorizer';

/**
 * The API key that keys a directory's requests in the stack's usage plan: the edge authorizer
 * names `usageKeyValue(salt, directory)` for every request of the directory's tokens, so API
 * Gateway throttles each directory in a bucket of its own (docs/security.md). Not a credential:
 * the API reads keys from the authorizer only. An API key costs nothing; an account holds
 * 10,000 per region.
 */
export class UsagePlanKeys {
  constructor(
    private readonly usagePlanId: string,
    private readonly salt: string,
    private readonly stackName: string,
    private readonly client: APIGatewayClient = new APIGatewayClient({}),
  ) {}

  /** The key of `directory` in the usage plan, made if missing (a create cut short is completed); returns its id. */
  async ensure(directory: string): Promise<string> {
    const name = this.nameOf(directory);
    const value = usageKeyValue(this.salt, directory);
    const { items = [] } = await this.client.send(new GetApiKeysCommand({ nameQuery: name, includeValues: true, limit: 500 }));
    let id = items.find((key) => key.name === name && key.value === value)?.id;
    if (!id) {
      const created = await this.client.send(
        new CreateApiKeyCommand({
          name,
          value,
          enabled: true,
          description: `Usage-plan key of SCIM directory ${directory} (named by the authorizer, never sent by clients)`,
        }),
      );
      id = created.id!;
    }
    try {
      await this.client.send(new CreateUsagePlanKeyCommand({ usagePlanId: this.usagePlanId, keyId: id, keyType: 'API_KEY' }));
    } catch (error) {
      // Already in the plan (a create run again).
      if (!(error instanceof ConflictException)) throw error;
    }
    return id;
  }

  /** Removes the key (and with it its place in the plan): the directory's requests are refused at the edge from then on. */
  async remove(keyId: string): Promise<void> {
    try {
      await this.client.send(new DeleteApiKeyCommand({ apiKey: keyId }));
    } catch (error) {
      if (!(error instanceof NotFoundException)) throw error;
    }
  }

  private nameOf(directory: string): string {
    return `scim-${this.stackName}-${directory}`.slice(0, 1024);
  }
}
