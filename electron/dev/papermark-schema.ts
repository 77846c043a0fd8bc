/**
 * The part of Papermark's schema the export reads, as Prisma creates it
 * (prisma/schema/*.prisma in papermark/papermark): one table per model named like the
 * model, one column per field named like the field, DateTime = timestamp(3) without time
 * zone holding UTC, enums as Postgres enum types. Used to set up the embedded engine for
 * the demo and tests; a real Papermark database already has it.
 */
export const PAPERMARK_SCHEMA_SQL = `
CREATE TYPE "ViewType" AS ENUM ('DOCUMENT_VIEW', 'DATAROOM_VIEW');

CREATE TABLE "Team" (
  "id" TEXT PRIMARY KEY,
  "name" TEXT NOT NULL,
  "plan" TEXT NOT NULL DEFAULT 'free',
  "pauseStartsAt" TIMESTAMP(3),
  "pauseEndsAt" TIMESTAMP(3),
  "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE "Document" (
  "id" TEXT PRIMARY KEY,
  "name" TEXT NOT NULL,
  "numPages" INTEGER,
  "teamId" TEXT NOT NULL REFERENCES "Team"("id") ON DELETE CASCADE,
  "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX "Document_teamId_idx" ON "Document"("teamId");

CREATE TABLE "DocumentVersion" (
  "id" TEXT PRIMARY KEY,
  "versionNumber" INTEGER NOT NULL,
  "documentId" TEXT NOT NULL REFERENCES "Document"("id") ON DELETE CASCADE,
  "numPages" INTEGER,
  "isPrimary" BOOLEAN NOT NULL DEFAULT false,
  "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX "DocumentVersion_versionNumber_documentId_key" ON "DocumentVersion"("versionNumber", "documentId");
CREATE INDEX "DocumentVersion_documentId_idx" ON "DocumentVersion"("documentId");

CREATE TABLE "Dataroom" (
  "id" TEXT PRIMARY KEY,
  "name" TEXT NOT NULL,
  "teamId" TEXT NOT NULL REFERENCES "Team"("id") ON DELETE CASCADE,
  "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE "ViewerGroup" (
  "id" TEXT PRIMARY KEY,
  "name" TEXT NOT NULL,
  "dataroomId" TEXT NOT NULL REFERENCES "Dataroom"("id") ON DELETE CASCADE,
  "teamId" TEXT NOT NULL REFERENCES "Team"("id") ON DELETE CASCADE
);
CREATE INDEX "ViewerGroup_dataroomId_idx" ON "ViewerGroup"("dataroomId");

CREATE TABLE "Link" (
  "id" TEXT PRIMARY KEY,
  "name" TEXT,
  "documentId" TEXT REFERENCES "Document"("id") ON DELETE CASCADE,
  "dataroomId" TEXT REFERENCES "Dataroom"("id") ON DELETE CASCADE,
  "teamId" TEXT REFERENCES "Team"("id") ON DELETE CASCADE
);

CREATE TABLE "View" (
  "id" TEXT PRIMARY KEY,
  "linkId" TEXT NOT NULL REFERENCES "Link"("id") ON DELETE CASCADE,
  "documentId" TEXT REFERENCES "Document"("id") ON DELETE CASCADE,
  "dataroomId" TEXT REFERENCES "Dataroom"("id") ON DELETE CASCADE,
  "dataroomViewId" TEXT,
  "viewerEmail" TEXT,
  "viewerName" TEXT,
  "verified" BOOLEAN NOT NULL DEFAULT false,
  "viewedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "downloadedAt" TIMESTAMP(3),
  "viewType" "ViewType" NOT NULL DEFAULT 'DOCUMENT_VIEW',
  "viewerId" TEXT,
  "groupId" TEXT REFERENCES "ViewerGroup"("id") ON DELETE SET NULL,
  "isArchived" BOOLEAN NOT NULL DEFAULT false,
  "teamId" TEXT REFERENCES "Team"("id") ON DELETE CASCADE
);
CREATE INDEX "View_linkId_idx" ON "View"("linkId");
CREATE INDEX "View_documentId_idx" ON "View"("documentId");
CREATE INDEX "View_dataroomId_idx" ON "View"("dataroomId");
CREATE INDEX "View_dataroomViewId_idx" ON "View"("dataroomViewId");
CREATE INDEX "View_groupId_idx" ON "View"("groupId");
CREATE INDEX "View_teamId_idx" ON "View"("teamId");
CREATE INDEX "View_documentId_viewedAt_idx" ON "View"("documentId", "viewedAt" DESC);

CREATE TABLE "Agreement" (
  "id" TEXT PRIMARY KEY,
  "name" TEXT NOT NULL,
  "content" TEXT NOT NULL,
  "teamId" TEXT NOT NULL REFERENCES "Team"("id") ON DELETE CASCADE,
  "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "deletedAt" TIMESTAMP(3)
);

CREATE TABLE "AgreementResponse" (
  "id" TEXT PRIMARY KEY,
  "agreementId" TEXT NOT NULL REFERENCES "Agreement"("id") ON DELETE CASCADE,
  "viewId" TEXT NOT NULL UNIQUE REFERENCES "View"("id") ON DELETE CASCADE,
  "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE "CustomFieldResponse" (
  "id" TEXT PRIMARY KEY,
  "data" JSONB NOT NULL,
  "viewId" TEXT NOT NULL UNIQUE REFERENCES "View"("id") ON DELETE CASCADE,
  "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
`;
