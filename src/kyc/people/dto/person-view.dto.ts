import { ApiProperty } from '@nestjs/swagger';
import { PERSON_ROLES } from '../../verification/requirements';

/** A director or beneficial owner of an organisation (SPEC "Organisations (KYB)": People). */
export class PersonAnswer {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  firstName!: string;

  @ApiProperty()
  lastName!: string;

  @ApiProperty({ format: 'date', description: 'YYYY-MM-DD' })
  dateOfBirth!: string;

  @ApiProperty({ description: 'ISO 3166-1 alpha-2' })
  nationality!: string;

  @ApiProperty({ enum: PERSON_ROLES, isArray: true })
  roles!: string[];

  @ApiProperty({ type: Number, nullable: true, description: 'Share of the organisation held, in percent' })
  ownershipPercent!: number | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

/** `GET …/people`: every person of the organisation, on one page. */
export class PersonList {
  @ApiProperty({ type: [PersonAnswer] })
  data!: PersonAnswer[];

  @ApiProperty({ type: String, nullable: true, description: 'Always null: one page holds them all' })
  nextCursor!: null;
}
