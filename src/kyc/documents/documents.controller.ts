import { Controller, Delete, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { OrganisationMember, OrganisationMemberOrStaff } from '../../auth/access.decorator';
import type { Principal } from '../../auth/principal';
import { CurrentPrincipal, RequestId } from '../../auth/principal';
import { DOCUMENT_TYPES } from './document.entity';
import { DocumentView, DocumentsService } from './documents.service';
import { DocumentAnswer, DocumentList } from './dto/document-view.dto';

@ApiTags('kyb')
@Controller('v1/organisations/:orgId/documents')
export class DocumentsController {
  constructor(private readonly documents: DocumentsService) {}

  @Post()
  @OrganisationMember('owner', 'admin')
  @ApiOperation({
    summary: 'Upload a document (PDF, JPEG or PNG, at most 10 MiB); the bytes decide the type; stored encrypted',
  })
  @ApiConsumes('multipart/form-data')
  @ApiCreatedResponse({ type: DocumentAnswer })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file', 'type'],
      properties: {
        file: { type: 'string', format: 'binary' },
        type: { type: 'string', enum: [...DOCUMENT_TYPES] },
        personId: { type: 'string', format: 'uuid' },
        documentNumber: { type: 'string' },
        issuingCountry: { type: 'string', example: 'GB' },
        expiresOn: { type: 'string', format: 'date' },
        mrz: { type: 'string' },
      },
    },
  })
  upload(
    @Param('orgId') orgId: string,
    @Req() req: Request,
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId?: string,
  ): Promise<DocumentView> {
    return this.documents.upload(orgId, principal, req, requestId);
  }

  @Get()
  @OrganisationMember()
  @ApiOkResponse({ type: DocumentList })
  async list(@Param('orgId') orgId: string): Promise<{ data: DocumentView[]; nextCursor: null }> {
    return { data: await this.documents.list(orgId), nextCursor: null };
  }

  @Get(':documentId')
  @OrganisationMember()
  @ApiOperation({ summary: 'Metadata and check results' })
  @ApiOkResponse({ type: DocumentAnswer })
  get(@Param('orgId') orgId: string, @Param('documentId') documentId: string): Promise<DocumentView> {
    return this.documents.get(orgId, documentId);
  }

  @Get(':documentId/content')
  @OrganisationMemberOrStaff()
  @ApiProduces('application/pdf', 'image/jpeg', 'image/png')
  @ApiOperation({ summary: 'The file, decrypted and verified as it streams; staff reads are audited' })
  async content(
    @Param('orgId') orgId: string,
    @Param('documentId') documentId: string,
    @CurrentPrincipal() principal: Principal,
    @Res() res: Response,
    @RequestId() requestId?: string,
  ): Promise<void> {
    await this.documents.streamContent(orgId, documentId, principal, res, requestId);
  }

  @Delete(':documentId')
  @OrganisationMember('owner', 'admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a document; only before submission' })
  async remove(
    @Param('orgId') orgId: string,
    @Param('documentId') documentId: string,
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId?: string,
  ): Promise<void> {
    await this.documents.remove(orgId, documentId, principal, requestId);
  }
}
