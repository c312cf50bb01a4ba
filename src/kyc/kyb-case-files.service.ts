import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { staffCheckView } from './checks/check-view';
import { CheckRecord } from './checks/check.entity';
import { KybDocument } from './documents/document.entity';
import { DocumentView, documentView } from './documents/documents.service';
import { Person } from './people/person.entity';
import { PersonView, personView } from './people/people.service';

/** A check as a reviewer sees it: everything, including the matched list entry (check-view.ts). */
export type StaffCheckView = ReturnType<typeof staffCheckView>;

/** What kyc holds of one submission of an organisation, as a reviewer reads it. */
export interface KybCaseFile {
  /** Checks whose subject is the organisation itself (sanctions, registry), by name. */
  organisationChecks: StaffCheckView[];
  /** Directors and beneficial owners, oldest first. */
  people: PersonView[];
  /** Documents, oldest first, each with its checks of the submission. */
  documents: DocumentView[];
}

/**
 * The kyc tables (people, documents, checks) for review's case view: review reads them only
 * through here (docs/decisions.md "Table ownership").
 */
@Injectable()
export class KybCaseFilesService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The case file of `organisationId`'s submission number `submission` (its checks of that one only). */
  async caseFile(organisationId: string, submission: number): Promise<KybCaseFile> {
    const [people, documents, checks] = await Promise.all([
      this.dataSource.getRepository(Person).find({ where: { organisationId }, order: { createdAt: 'ASC' } }),
      this.dataSource.getRepository(KybDocument).find({ where: { organisationId }, order: { createdAt: 'ASC' } }),
      this.dataSource
        .getRepository(CheckRecord)
        .find({ where: { organisationId, submission }, order: { name: 'ASC' } }),
    ]);
    const checksOf = (subjectId: string) => checks.filter((c) => c.subjectId === subjectId).map(staffCheckView);
    return {
      organisationChecks: checksOf(organisationId),
      people: people.map(personView),
      documents: documents.map((d) => documentView(d, checksOf(d.id))),
    };
  }
}
