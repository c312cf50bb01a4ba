import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Staff } from '../auth/access.decorator';
import { CreateStaffDto, MeView, StaffMemberList } from './dto/auth.dto';
import type { Principal } from '../auth/principal';
import { CurrentPrincipal, RequestId } from '../auth/principal';
import { StaffService } from './staff.service';

@ApiTags('staff')
@Controller('v1/admin/staff')
export class StaffController {
  constructor(private readonly staff: StaffService) {}

  @Get()
  @Staff('admin')
  @ApiOperation({ summary: 'List staff accounts' })
  @ApiOkResponse({ type: StaffMemberList })
  async list(): Promise<{ data: (MeView & { disabled: boolean })[] }> {
    return { data: await this.staff.list() };
  }

  @Post()
  @Staff('admin')
  @ApiOperation({ summary: 'Create a staff account (they enrol TOTP at first sign-in)' })
  @ApiCreatedResponse({ type: MeView })
  create(
    @Body() body: CreateStaffDto,
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId?: string,
  ): Promise<MeView> {
    return this.staff.create(body, { type: 'staff', id: principal.userId }, requestId);
  }

  @Post(':userId/disable')
  @Staff('admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Disable a staff account; its sessions end at once' })
  @ApiNoContentResponse({ description: 'Disabled' })
  async disable(
    @Param('userId', new ParseUUIDPipe()) userId: string,
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId?: string,
  ): Promise<void> {
    await this.staff.disable(userId, { type: 'staff', id: principal.userId }, requestId);
  }
}
