-- 002_due_index.sql: task lists and SLA views read active steps by due date.
CREATE INDEX steps_due ON steps(due) WHERE state = 'active';
