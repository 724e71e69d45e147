import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { InvalidInputError, quoted } from '../common/invalid-input.error';
import { OrganizationEntity } from './entities/organization.entity';

@Injectable()
export class OrganizationsService {
  constructor(@InjectRepository(OrganizationEntity) private readonly organizations: Repository<OrganizationEntity>) {}

  /** A new organization has API-key access on and is not a partner until it is allowlisted. */
  async create(organizationId: string, name: string): Promise<void> {
    if (organizationId.trim() === '') throw new InvalidInputError('the organization id must not be empty');
    if (name.trim() === '') throw new InvalidInputError('the organization name must not be empty');
    if (await this.organizations.existsBy({ organizationId })) {
      throw new InvalidInputError(`organization ${quoted(organizationId)} already exists`);
    }
    await this.organizations.insert({ organizationId, name, apiKeysEnabled: true });
  }

  /** @throws InvalidInputError when no organization has this id. */
  async requireExisting(organizationId: string): Promise<void> {
    if (!(await this.organizations.existsBy({ organizationId }))) {
      throw new InvalidInputError(`unknown organization ${quoted(organizationId)}`);
    }
  }
}
