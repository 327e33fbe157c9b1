/* placeholder, replaced below */
int ofnic_engine_placeholder;
