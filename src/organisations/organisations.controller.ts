import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Developer, OrganisationMember } from '../auth/access.decorator';
import type { Principal } from '../auth/principal';
import { CurrentPrincipal, RequestId } from '../auth/principal';
import { CreateInvitationDto, CreateOrganisationDto, UpdateOrganisationDto } from './dto/organisation.dto';
import { OrganisationAnswer, OrganisationList } from './dto/organisation-view.dto';
import { OrganisationView, OrganisationsService } from './organisations.service';

@ApiTags('organisations')
@Controller('v1')
export class OrganisationsController {
  constructor(private readonly organisations: OrganisationsService) {}

  @Post('organisations')
  @Developer({ verifiedEmail: true })
  @ApiOperation({ summary: 'Create an organisation; you become its owner' })
  @ApiCreatedResponse({ type: OrganisationAnswer })
  create(
    @Body() body: CreateOrganisationDto,
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId?: string,
  ): Promise<OrganisationView> {
    return this.organisations.create(principal, body, requestId);
  }

  @Get('organisations')
  @Developer()
  @ApiOperation({ summary: 'The organisations you belong to' })
  @ApiOkResponse({ type: OrganisationList })
  async list(@CurrentPrincipal() principal: Principal): Promise<{ data: OrganisationView[]; nextCursor: null }> {
    return { data: await this.organisations.listMine(principal), nextCursor: null };
  }

  @Get('organisations/:orgId')
  @OrganisationMember()
  @ApiOkResponse({ type: OrganisationAnswer })
  get(@Param('orgId') orgId: string, @CurrentPrincipal() principal: Principal): Promise<OrganisationView> {
    return this.organisations.get(orgId, principal.organisationRole);
  }

  @Patch('organisations/:orgId')
  @OrganisationMember('owner', 'admin')
  @ApiOperation({ summary: 'Edit details; only while unverified or info_requested' })
  @ApiOkResponse({ type: OrganisationAnswer })
  update(
    @Param('orgId') orgId: string,
    @Body() body: UpdateOrganisationDto,
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId?: string,
  ): Promise<OrganisationView> {
    return this.organisations.update(orgId, principal, body, requestId);
  }

  @Get('organisations/:orgId/members')
  @OrganisationMember()
  async members(@Param('orgId') orgId: string) {
    return { data: await this.organisations.members(orgId), nextCursor: null };
  }

  @Post('organisations/:orgId/invitations')
  @OrganisationMember('owner', 'admin')
  @ApiOperation({ summary: 'Email an invitation link (single use, 7 days, bound to the address)' })
  invite(
    @Param('orgId') orgId: string,
    @Body() body: CreateInvitationDto,
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId?: string,
  ) {
    return this.organisations.invite(orgId, principal, body, requestId);
  }

  @Post('invitations/:token/accept')
  @Developer()
  @HttpCode(200)
  @ApiOperation({ summary: 'Accept an invitation sent to your email address' })
  @ApiOkResponse({ type: OrganisationAnswer, description: 'The organisation you joined' })
  accept(
    @Param('token') token: string,
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId?: string,
  ): Promise<OrganisationView> {
    return this.organisations.accept(token, principal, requestId);
  }

  @Delete('organisations/:orgId/members/:userId')
  @OrganisationMember()
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a member (owners and admins), or leave (anyone); the last owner stays' })
  async remove(
    @Param('orgId') orgId: string,
    @Param('userId', new ParseUUIDPipe()) userId: string,
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId?: string,
  ): Promise<void> {
    await this.organisations.removeMember(orgId, userId, principal, requestId);
  }
}
