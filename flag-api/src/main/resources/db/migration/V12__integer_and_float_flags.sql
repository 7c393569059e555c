-- OpenFeature distinguishes integer and float values; a 'number' flag becomes 'integer' when every variation value is
-- a whole number in the 32-bit range (what Java's getIntegerValue reads), else 'float'. Values are not rewritten: the
-- evaluator serves each in its type's form (a float flag's 1 as 1.0). Events recorded before keep saying 'number'.
update flag
   set flag_type = case
         when not exists (select 1
                            from jsonb_array_elements(variations::jsonb) v
                           where jsonb_typeof(v -> 'value') <> 'number'
                              or (v ->> 'value')::numeric <> trunc((v ->> 'value')::numeric)
                              or (v ->> 'value')::numeric not between -2147483648 and 2147483647)
         then 'integer' else 'float' end
 where flag_type = 'number';
