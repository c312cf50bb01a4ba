import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { OrganisationMember } from '../../auth/access.decorator';
import type { Principal } from '../../auth/principal';
import { CurrentPrincipal, RequestId } from '../../auth/principal';
import { CreatePersonDto, UpdatePersonDto } from './dto/person.dto';
import { PersonAnswer, PersonList } from './dto/person-view.dto';
import { PeopleService, PersonView } from './people.service';

@ApiTags('kyb')
@Controller('v1/organisations/:orgId/people')
export class PeopleController {
  constructor(private readonly people: PeopleService) {}

  @Post()
  @OrganisationMember('owner', 'admin')
  @ApiOperation({
    summary: 'Add a director or beneficial owner (25% or more); only while the organisation is editable',
  })
  @ApiCreatedResponse({ type: PersonAnswer })
  create(
    @Param('orgId') orgId: string,
    @Body() body: CreatePersonDto,
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId?: string,
  ): Promise<PersonView> {
    return this.people.create(orgId, principal, body, requestId);
  }

  @Get()
  @OrganisationMember()
  @ApiOkResponse({ type: PersonList })
  async list(@Param('orgId') orgId: string): Promise<{ data: PersonView[]; nextCursor: null }> {
    return { data: await this.people.list(orgId), nextCursor: null };
  }

  @Get(':personId')
  @OrganisationMember()
  @ApiOkResponse({ type: PersonAnswer })
  get(@Param('orgId') orgId: string, @Param('personId') personId: string): Promise<PersonView> {
    return this.people.get(orgId, personId);
  }

  @Patch(':personId')
  @OrganisationMember('owner', 'admin')
  update(
    @Param('orgId') orgId: string,
    @Param('personId') personId: string,
    @Body() body: UpdatePersonDto,
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId?: string,
  ): Promise<PersonView> {
    return this.people.update(orgId, personId, principal, body, requestId);
  }

  @Delete(':personId')
  @OrganisationMember('owner', 'admin')
  @HttpCode(204)
  async remove(
    @Param('orgId') orgId: string,
    @Param('personId') personId: string,
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId?: string,
  ): Promise<void> {
    await this.people.remove(orgId, personId, principal, requestId);
  }
}
