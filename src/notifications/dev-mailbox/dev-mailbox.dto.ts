import { ApiProperty } from '@nestjs/swagger';

/** One email of the development mailbox, as listed (dev-mailbox.service.ts MailboxItem). */
export class MailboxItemView {
  @ApiProperty({ description: 'The file name without .eml (a sanitised Message-ID)' })
  id!: string;

  @ApiProperty({ type: [String] })
  to!: string[];

  @ApiProperty()
  subject!: string;

  @ApiProperty({ format: 'date-time', description: "The email's Date header, or the file's time when it has none" })
  date!: string;
}

/** A page of the development mailbox, newest first. */
export class MailboxList {
  @ApiProperty({ type: [MailboxItemView] })
  data!: MailboxItemView[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page' })
  nextCursor!: string | null;
}

/** One email with its bodies. */
export class MailboxMessageView extends MailboxItemView {
  @ApiProperty({ description: 'The text part' })
  text!: string;

  @ApiProperty({ type: String, nullable: true, description: 'The HTML part; null for a text-only email' })
  html!: string | null;
}
